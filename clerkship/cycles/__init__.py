"""Cycles, departments, sites, rotations and blocks: what students can apply for."""
