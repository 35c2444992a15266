"""Review rounds: settings, phases, reviewers' schools and caps, declared conflicts; the directors' set-up pages."""
