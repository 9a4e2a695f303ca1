package dev.ami.bus;

/**
 * The frame (RGB float CHW in [0,1], never written after sending) the agent acted on, the action index, and
 * the forward model's prediction of the next latent (null when the agent has none), made with VAE version
 * {@code encoderVersion} (0 when the agent does not follow the VAE: random features, or the encoder that came with
 * the forward model, {@code reward.encoder=paired}).
 */
public record ObservationRecord(long tick, float[] chw, int height, int width, int action, float[] predictedLatent,
                                long encoderVersion, long wallMillis) {
}
