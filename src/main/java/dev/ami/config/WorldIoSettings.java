package dev.ami.config;

import java.util.Map;

/** The keys of real-world I/O: OSC actions, FFmpeg capture and the built-in world. */
final class WorldIoSettings {
  private WorldIoSettings() {
  }

  static void addTo(Map<String, Setting> settings) {
    add(settings, Setting.bool("osc.enabled", true, "send actions over OSC (false: actions are only recorded)"));
    add(settings, Setting.string("osc.host", "127.0.0.1", "where OSC actions go (VRChat listens on 127.0.0.1)"));
    add(settings, Setting.intRange("osc.port", 9000, 1, 65535, "UDP port OSC actions go to (VRChat: 9000)"));
    add(settings, Setting.intRange("osc.refresh_ms", 1000, 50, 60_000,
        "every input is re-sent this often even if unchanged (a lost UDP packet cannot leave an input stuck)"));
    add(settings, Setting.doubleRange("osc.smoothing_ms", 0.0, 0.0, 10_000.0,
        "time constant of first-order smoothing of the three axes; 0 = off (buttons and neutral are never smoothed)"));
    add(settings, Setting.bool("osc.watchdog", true,
        "a dead-man switch: a small watchdog process sends every input 0 if this process dies (kill -9, OOM, crash)"));
    add(settings, Setting.intRange("osc.watchdog_timeout_ms", 500, 200, 60_000,
        "the watchdog also sends neutral when the OSC sender's heartbeats (every 100 ms) stop for this long"));

    add(settings, Setting.string("capture.input", "",
        "FFmpeg input: a device (/dev/video0, video=OBS Virtual Camera), a screen (:0.0+0,0), a URL or a file"));
    add(settings, Setting.string("capture.format", "",
        "FFmpeg input format: v4l2, dshow, x11grab, mpegts, ...; empty = let FFmpeg guess"));
    add(settings, Setting.intRange("capture.width", 0, 0, 8192, "capture width asked of a device or screen; 0 = its default"));
    add(settings, Setting.intRange("capture.height", 0, 0, 8192, "capture height asked of a device or screen; 0 = its default"));
    add(settings, Setting.doubleRange("capture.fps", 0.0, 0.0, 240.0, "frame rate asked of a device or screen; 0 = its default"));
    add(settings, Setting.intRange("capture.size", 0, 0, 1024,
        "side the centre-cropped picture is resized to; 0 = model.input_size; smaller is padded with black"));
    add(settings, Setting.bool("capture.loop", false, "play a file input again from the start at its end"));
    add(settings, Setting.intRange("capture.timeout_ms", 2000, 100, 600_000,
        "an open or read that gets no data for this long fails (the source is then down and reconnects)"));
    add(settings, Setting.intRange("capture.stale_ms", 1000, 10, 600_000,
        "a frame older than this is not shown to the agent: it holds still instead of acting on an old picture"));
    add(settings, Setting.intRange("capture.backoff_ms", 250, 10, 600_000, "first reconnect delay; doubles per failure"));
    add(settings, Setting.intRange("capture.backoff_max_ms", 10_000, 10, 3_600_000, "longest reconnect delay"));

    add(settings, Setting.intRange("sim.osc_port", 0, 0, 65535,
        "UDP port the built-in world takes OSC input on (loopback); 0 = a free port, the agent is pointed at it"));
    add(settings, Setting.choice("sim.map", "room", java.util.List.of("room", "rooms"),
        "the built-in world's floor plan: room (one 16x16 room) or rooms (3x3 rooms joined by doorways)"));
    add(settings, Setting.intRange("sim.fps", 30, 1, 240, "the built-in world's simulation and render rate"));
    add(settings, Setting.longValue("sim.seed", 1,
        "draws the avatar's start cell in the start room and its heading; unless given, system.seed"));
    add(settings, Setting.bool("sim.lockstep", false,
        "step the built-in world once per agent action (sim.fps / agent.hz steps) on the agent's thread instead of on"
            + " its own clock, without OSC: a seeded run then repeats exactly (docs/running-for-days.md)"));
    add(settings, Setting.intRange("sim.width", 0, 0, 4096, "render width of the built-in world; 0 = model.input_size"));
    add(settings, Setting.intRange("sim.height", 0, 0, 4096, "render height of the built-in world; 0 = model.input_size"));
    add(settings, Setting.string("sim.stream_url", "",
        "also stream the world with FFmpeg, e.g. udp://127.0.0.1:5600; empty = off"));
    add(settings, Setting.string("sim.stream_format", "mpegts", "FFmpeg container of the world's stream"));
  }

  /** Rules across these keys; called from {@link CrossChecks}. */
  static void verify(AmiConfig c) {
    int size = c.getInt("capture.size");
    if (size > c.getInt("model.input_size")) {
      throw new ConfigException("capture.size (" + size + ") must not exceed model.input_size ("
          + c.getInt("model.input_size") + "): the picture is padded up to the model's input, never cropped");
    }
    if (c.getInt("capture.backoff_ms") > c.getInt("capture.backoff_max_ms")) {
      throw new ConfigException("capture.backoff_ms (" + c.getInt("capture.backoff_ms")
          + ") must not exceed capture.backoff_max_ms (" + c.getInt("capture.backoff_max_ms") + ")");
    }
    if ((c.getString("env").equals("vrchat") || c.getString("env").equals("video"))
        && c.getString("capture.input").isBlank()) {
      throw new ConfigException("env=" + c.getString("env") + " needs capture.input (a device, URL or file)");
    }
  }

  private static void add(Map<String, Setting> settings, Setting s) {
    settings.put(s.key(), s);
  }
}
