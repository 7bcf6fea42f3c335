// The control protocol lands here.
