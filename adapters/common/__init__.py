"""What the chat adapters share and no platform owns: bounded work after an ack, failures."""
