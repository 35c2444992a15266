"""Demo data: a realistic season for trying clerkship out, and large ones for benchmarks."""
