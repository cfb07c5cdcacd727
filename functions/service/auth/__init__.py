"""Access to the API: the REQUEST authorizer and the key store it reads."""
