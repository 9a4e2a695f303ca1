package dev.ami.model;

import ai.djl.ndarray.NDArray;

/**
 * The mean negative log-likelihood of a target under a Gaussian of fixed σ:
 * {@code ½((z − μ)/σ)² + log σ + ½ log 2π} per element. With σ = 1/√(2π) the last two terms cancel and the
 * value is exactly {@code π · (z − μ)²}: the forward model's loss and the curiosity reward.
 */
public final class GaussianNll {
  /** The forward model's σ: 1/√(2π), so the NLL is π·MSE. */
  public static final double SIGMA = 1 / Math.sqrt(2 * Math.PI);
  private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

  private GaussianNll() {
  }

  /** Mean over all elements, on the native side (differentiable). */
  public static NDArray mean(NDArray target, NDArray mu, double sigma) {
    // floats, not doubles: a double scalar would turn the 0-d mean into float64
    float constant = (float) (Math.log(sigma) + HALF_LOG_2PI);
    NDArray z = target.sub(mu).div((float) sigma);
    return z.square().mul(0.5f).mean().add(constant);
  }

  /** The same mean on Java arrays: the agent's reward, 512 values per tick. */
  public static double mean(float[] target, float[] mu, double sigma) {
    if (target.length != mu.length) {
      throw new IllegalArgumentException("target has " + target.length + " values, prediction " + mu.length);
    }
    double sum = 0;
    for (int i = 0; i < target.length; i++) {
      double z = (target[i] - mu[i]) / sigma;
      sum += 0.5 * z * z;
    }
    return sum / target.length + Math.log(sigma) + HALF_LOG_2PI;
  }
}
