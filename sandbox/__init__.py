"""Local emulators of the Yuekeyun gateway and the Feishu Open API."""
