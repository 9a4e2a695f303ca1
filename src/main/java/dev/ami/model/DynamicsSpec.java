package dev.ami.model;

/**
 * Sizes of the forward-dynamics model: the latent it predicts, {@code depth} blocks of width {@code width} (SConv
 * blocks with a feed-forward of {@code ffn} and dropout, or ResNetFD's residual blocks), {@code actionEmbed} dims per
 * action part, and which of the two it is ({@code kind}, {@code fd.kind}).
 */
public record DynamicsSpec(int latent, int depth, int width, int ffn, double dropout, int actionEmbed, String kind) {
  /** The SConv recurrence carried into ami (the default). */
  public static final String SCONV = "sconv";
  /** The predecessor's stateless ResNetFD, after OpenAI's large-scale-curiosity dynamics network. */
  public static final String RESNET = "resnet";

  /** An SConv model. */
  public DynamicsSpec(int latent, int depth, int width, int ffn, double dropout, int actionEmbed) {
    this(latent, depth, width, ffn, dropout, actionEmbed, SCONV);
  }

  /**
   * Floats in one state: SConv's hidden state, real and imaginary parts together (depth × width × 2); ResNetFD's is
   * the previous action, one-hot (13).
   */
  public int hiddenSize() {
    return kind.equals(RESNET) ? ActionHeads.TOTAL : 2 * depth * width;
  }
}
