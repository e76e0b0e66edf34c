"""The demo and the generated input the demo, the tests and the benchmarks use."""
