"""The Diversity in Medicine Visiting Clerkship Award: settings, applications, decisions, budget."""
