package dev.ami.config;

/**
 * The forward dynamics model's sizes and its training ({@code fd.*}): one window of {@code window} steps is a batch.
 *
 * @param kind sconv or resnet
 */
public record FdOptions(int depth, int width, int ffn, double dropout, int actionEmbed, String kind, int window,
                        int windowsPerEpoch, TrainerOptions train) {
  public static FdOptions from(AmiConfig c) {
    return new FdOptions(c.getInt("fd.depth"), c.getInt("fd.width"), c.getInt("fd.ffn"), c.getDouble("fd.dropout"),
        c.getInt("fd.action_embed"), c.getString("fd.kind"), c.getInt("fd.window"), c.getInt("fd.windows_per_epoch"),
        TrainerOptions.from(c, "fd", 1));
  }
}
