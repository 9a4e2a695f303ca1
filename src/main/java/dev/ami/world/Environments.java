package dev.ami.world;

import dev.ami.capture.FfmpegFrameSource;
import dev.ami.config.AgentOptions;
import dev.ami.config.AmiConfig;
import dev.ami.config.CaptureOptions;
import dev.ami.config.OscOptions;
import dev.ami.config.RunOptions;
import dev.ami.config.SimOptions;
import dev.ami.env.Actuator;
import dev.ami.env.Environment;
import dev.ami.env.NoiseFrameSource;
import dev.ami.env.RecordingActuator;
import dev.ami.osc.OscActuator;
import dev.ami.world.sim.SimWorld;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Builds the environment a config names. It knows every implementation (capture, OSC, the built-in world),
 * so it sits above them instead of beside the interfaces it returns.
 */
public final class Environments {
  private Environments() {
  }

  public static Environment create(AmiConfig config) {
    RunOptions run = RunOptions.from(config);
    String name = run.env();
    int side = run.inputSize();
    try {
      return switch (name) {
        case "noise" -> new Environment(name, new NoiseFrameSource(side, AgentOptions.from(config).seed()),
            new RecordingActuator());
        case "sim" -> sim(config);
        case "vrchat", "video" -> new Environment(name, new FfmpegFrameSource(CaptureOptions.from(config)),
            oscOrRecording(config, null, 0));
        default -> throw new IllegalArgumentException("unknown environment " + name);
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** The built-in world, driven over real OSC on loopback exactly as VRChat would be. */
  private static Environment sim(AmiConfig config) throws IOException {
    SimWorld world = new SimWorld(SimOptions.from(config));
    if (world.actuator() != null) { // sim.lockstep: actions step the world directly, no OSC in between
      return new Environment("sim", world, world.actuator(), world);
    }
    return new Environment("sim", world, oscOrRecording(config, "127.0.0.1", world.oscPort()), world);
  }

  /** OSC to {@code host}:{@code port}, or to {@code osc.host}:{@code osc.port} when host is null. */
  private static Actuator oscOrRecording(AmiConfig config, String host, int port) throws IOException {
    OscOptions osc = OscOptions.from(config);
    if (!osc.enabled()) {
      return new RecordingActuator();
    }
    // an action not renewed within three ticks (at least a second) means the agent stopped deciding
    long stale = Math.max(1000, 3000L / AgentOptions.from(config).hz());
    return OscActuator.open(host == null ? osc.host() : host, host == null ? osc.port() : port, osc.refreshMs(), osc.smoothingMs(), osc.watchdogBoundMs(), stale);
  }
}
