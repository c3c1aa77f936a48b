"""End-to-end tests of the Meltano project: `meltano run` against the sandboxes."""
