// The daemon lands here.
