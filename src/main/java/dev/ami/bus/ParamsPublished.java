package dev.ami.bus;

/** Announces that snapshot {@code version} of model {@code key} is in the params local map. */
public record ParamsPublished(String key, long version, long trainerStep, long publishedNanos) {
}
