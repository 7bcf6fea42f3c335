// Pictures land here.
