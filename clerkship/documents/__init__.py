"""Documents students upload (and letters writers upload): checked, stored, versioned."""
