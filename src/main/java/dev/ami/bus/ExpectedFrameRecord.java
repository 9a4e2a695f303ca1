package dev.ami.bus;

/** What the agent expected to see after tick {@code tick}: the VAE decoder applied to the predicted latent. */
public record ExpectedFrameRecord(long tick, float[] chw, int height, int width, long decoderVersion,
                                  long wallMillis) {
}
