// The sampler chain lands here.
