package dev.ami.config;

import io.vertx.config.yaml.YamlProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The presets: {@code models/NAME.yaml} (chosen by {@code model.preset}) and {@code env/NAME.yaml} (chosen by
 * {@code env}), applied in that order under the main config file's own keys and the command-line overrides.
 * A preset next to the config file wins; otherwise the copy bundled in the jar is used, so the jar runs from
 * any directory. A preset never chooses another preset.
 */
final class Presets {
  /** The two kinds of preset: their folder and the key that picks one. */
  enum Kind {
    MODEL("models", "model.preset"), ENV("env", "env");

    final String folder;
    final String key;

    Kind(String folder, String key) {
      this.folder = folder;
      this.key = key;
    }
  }

  private Presets() {
  }

  /** The preset's keys, or none when the name has no preset file. */
  static Future<Map<String, Object>> read(Vertx vertx, Path configFile, Kind kind, String name) {
    Path beside = (configFile == null ? ConfigLoader.DEFAULT_FILE : configFile).toAbsolutePath().getParent()
        .resolve(kind.folder).resolve(name + ".yaml");
    Path shownAs;
    Buffer text;
    try {
      if (Files.isRegularFile(beside)) {
        shownAs = beside;
        text = Buffer.buffer(Files.readAllBytes(beside));
      } else {
        shownAs = Path.of("classpath:conf", kind.folder, name + ".yaml");
        text = bundled(kind, name);
        if (text == null) {
          return Future.succeededFuture(Map.of());
        }
      }
    } catch (IOException e) {
      return Future.failedFuture(new ConfigException("cannot read preset " + beside + ": " + e.getMessage()));
    }
    return new YamlProcessor().process(vertx, new JsonObject(), text)
        .recover(e -> Future.failedFuture(new ConfigException("malformed preset " + shownAs + ": "
            + ConfigLoader.rootMessage(e))))
        .map(json -> {
          Map<String, Object> keys = ConfigLoader.flatten(json, shownAs);
          for (Kind k : Kind.values()) {
            if (keys.containsKey(k.key)) {
              throw new ConfigException("preset " + shownAs + " must not set " + k.key);
            }
          }
          return keys;
        });
  }

  private static Buffer bundled(Kind kind, String name) throws IOException {
    try (InputStream in = Presets.class.getResourceAsStream("/conf/" + kind.folder + "/" + name + ".yaml")) {
      return in == null ? null : Buffer.buffer(in.readAllBytes());
    }
  }
}
