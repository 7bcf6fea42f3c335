// The JACK backend lands here.
