package dev.ami.config;


/**
 * How the built-in world runs.
 *
 * @param oscPort UDP port on 127.0.0.1 it listens on for OSC input
 * @param width render width; the agent's frame is centre-cropped and resized to {@code tensorSize} from it
 * @param streamUrl where it streams its view with FFmpeg; empty = nowhere
 * @param map the floor plan: {@code room} or {@code rooms} ({@link WorldMap})
 * @param startSeed draws the avatar's start cell and heading ({@link WorldMap#start(long)}); null = the map's
 *     fixed start, looking along +x
 * @param lockstepHz 0: the world runs on its own clock at {@code fps} and hears its input over OSC; otherwise it
 *     steps only when the agent acts, {@code fps / lockstepHz} steps per action (the same physics per tick), so a
 *     seeded run is reproducible ({@link SimWorld#actuator()})
 */
public record SimOptions(int oscPort, int fps, int width, int height, int tensorSize, String streamUrl,
                         String streamFormat, String map, Long startSeed, int lockstepHz) {

  /** The map's fixed start. */
  public SimOptions(int oscPort, int fps, int width, int height, int tensorSize, String streamUrl,
                    String streamFormat, String map) {
    this(oscPort, fps, width, height, tensorSize, streamUrl, streamFormat, map, null, 0);
  }

  /** The same on another OSC port. */
  public SimOptions withOscPort(int port) {
    return new SimOptions(port, fps, width, height, tensorSize, streamUrl, streamFormat, map, startSeed, lockstepHz);
  }

  /** World steps per agent action in lockstep. */
  public int stepsPerAction() {
    return Math.max(1, Math.round((float) fps / lockstepHz));
  }

  /** Reads the sim.* keys; port 0 means the world picks a free one. */
  public static SimOptions from(AmiConfig c) {
    int tensor = c.getInt("model.input_size");
    return new SimOptions(c.getInt("sim.osc_port"), c.getInt("sim.fps"), orDefault(c.getInt("sim.width"), tensor),
        orDefault(c.getInt("sim.height"), tensor), tensor, c.getString("sim.stream_url"),
        c.getString("sim.stream_format"), c.getString("sim.map"), c.getLong("sim.seed"),
        c.getBool("sim.lockstep") ? c.getInt("agent.hz") : 0);
  }

  private static int orDefault(int value, int fallback) {
    return value == 0 ? fallback : value;
  }
}
