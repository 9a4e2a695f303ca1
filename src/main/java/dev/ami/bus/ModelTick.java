package dev.ami.bus;

/**
 * What one tick did with one model: the version it ran, the newest published when it ran, and the swap
 * when it took a new snapshot up ({@code swapMs}, {@code publishToUseMs}: NaN on ticks without a swap).
 */
public record ModelTick(long versionUsed, long versionPublished, double computeMs, double swapMs,
                        double publishToUseMs) {
  /** True when this tick took a new snapshot of the model up. */
  public boolean swapped() {
    return !Double.isNaN(swapMs);
  }

  /** Versions the model in use was behind the newest published one. */
  public long policyLag() {
    return Math.max(0, versionPublished - versionUsed);
  }
}
