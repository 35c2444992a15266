"""Staff write to selected students; departments word their templates and automatic emails;
students read every message sent to them."""
