package dev.ami.training.loss;

import ai.djl.ndarray.NDArray;

/** The VAE's objective: mean MSE(x, x̂) + w · mean KL(N(μ, σ²) ‖ N(0, I)). */
public final class VaeLoss {
  private VaeLoss() {
  }

  /** Mean over all elements of the closed form ½(μ² + σ² − 1 − 2 log σ). */
  public static NDArray kl(NDArray mu, NDArray sigma) {
    return mu.square().add(sigma.square()).sub(1f).sub(sigma.log().mul(2f)).mul(0.5f).mean();
  }

  public static NDArray reconstruction(NDArray x, NDArray reconstructed) {
    return reconstructed.sub(x).square().mean();
  }
}
