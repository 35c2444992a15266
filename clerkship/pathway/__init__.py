"""The UIM pathway: the cycle's definition, students' self-identification and the effective flag."""
