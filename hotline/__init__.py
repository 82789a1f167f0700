"""The `hotline` command: wires every package together and runs the processes."""
