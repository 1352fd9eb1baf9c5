"""What one user has open: the session's routes, selection and uploads (no Streamlit here)."""
