// The real-time engine lands here.
