"""What a programme committee reads: its scope, counts, input, answers, coverage, programme and report."""
