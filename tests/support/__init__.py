"""Real servers the tests start on loopback: a TLS dockerd, a WS-Management endpoint, certs."""
