package dev.ami.env;

import dev.ami.config.AmiConfig;

/** Builds the environment a config names. */
public final class Environments {
  private Environments() {
  }

  public static Environment create(AmiConfig config) {
    String name = config.getString("env");
    int side = config.getInt("model.input_size");
    return switch (name) {
      case "noise" -> new Environment(name, new NoiseFrameSource(side, config.getLong("agent.seed")),
          new RecordingActuator());
      default -> throw new IllegalArgumentException("unknown environment " + name);
    };
  }
}
