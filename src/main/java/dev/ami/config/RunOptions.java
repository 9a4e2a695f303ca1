package dev.ami.config;

/**
 * What this run is: the environment, training or evaluation, and the agent's kind, preset and frame size.
 *
 * @param env the environment preset's name (sim, noise, video, vrchat)
 * @param kind the agent's kind (curiosity, autoencoder)
 * @param inputSize side of the square RGB frame the models take
 * @param djlThreads libtorch's intra-op threads
 */
public record RunOptions(String env, boolean eval, String kind, String preset, int inputSize, int djlThreads) {
  public static RunOptions from(AmiConfig c) {
    return new RunOptions(c.getString("env"), c.getString("mode").equals("eval"), c.getString("model.kind"),
        c.getString("model.preset"), c.getInt("model.input_size"), c.getInt("djl.threads"));
  }
}
