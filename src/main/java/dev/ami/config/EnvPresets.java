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
 * The environment presets, {@code env/NAME.yaml}: applied after the main config file and before the
 * command-line overrides. A preset next to the config file wins; otherwise the copy bundled in the jar is used,
 * so the jar runs from any directory.
 */
final class EnvPresets {
  private EnvPresets() {
  }

  /** The preset's keys for {@code env}, or none when the name has no preset. */
  static Future<Map<String, Object>> read(Vertx vertx, Path configFile, String env) {
    Path beside = (configFile == null ? ConfigLoader.DEFAULT_FILE : configFile).toAbsolutePath().getParent()
        .resolve("env").resolve(env + ".yaml");
    Path shownAs;
    Buffer text;
    try {
      if (Files.isRegularFile(beside)) {
        shownAs = beside;
        text = Buffer.buffer(Files.readAllBytes(beside));
      } else {
        shownAs = Path.of("classpath:conf", "env", env + ".yaml");
        text = bundled(env);
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
          if (keys.containsKey("env")) {
            throw new ConfigException("preset " + shownAs + " must not set env");
          }
          return keys;
        });
  }

  private static Buffer bundled(String env) throws IOException {
    try (InputStream in = EnvPresets.class.getResourceAsStream("/conf/env/" + env + ".yaml")) {
      return in == null ? null : Buffer.buffer(in.readAllBytes());
    }
  }
}
