package dev.ami.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an {@link AmiConfig} from defaults, the model preset, the environment preset, a YAML file (through
 * vertx-config) and Hydra-style {@code key.path=value} overrides, in that order: what the user wrote wins over
 * what a preset implies, and the command line wins over both. The file and the command line choose the presets. Anything unknown or invalid fails with a
 * {@link ConfigException} before a single verticle starts.
 */
public final class ConfigLoader {
  /** The file used when none is named and the process runs from the repository root. */
  public static final Path DEFAULT_FILE = Path.of("conf", "ami.yaml");

  private final Vertx vertx;

  public ConfigLoader(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Loads the configuration.
   *
   * @param file a YAML file, or null for {@link #DEFAULT_FILE} when it exists
   * @param overrides trailing command-line arguments such as {@code agent.hz=20}
   */
  public Future<AmiConfig> load(Path file, List<String> overrides) {
    Map<String, String> parsedOverrides;
    try {
      parsedOverrides = parseOverrides(overrides);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    Path chosen = file != null ? file : (Files.exists(DEFAULT_FILE) ? DEFAULT_FILE : null);
    if (chosen != null && !Files.isRegularFile(chosen)) {
      return Future.failedFuture(new ConfigException("config file not found: " + chosen));
    }
    Future<JsonObject> yaml = chosen == null ? Future.succeededFuture(new JsonObject()) : readYaml(chosen);
    java.util.Set<String> written = new java.util.HashSet<>(); // keys a preset, the file or the command line set
    return yaml.compose(json -> {
      Map<String, Object> fileKeys = flatten(json, chosen);
      written.addAll(fileKeys.keySet());
      AmiConfig base = AmiConfig.defaults().with(fileKeys);
      for (Presets.Kind kind : Presets.Kind.values()) { // the choice of each preset may come from the command line
        if (parsedOverrides.containsKey(kind.key)) {
          base = base.withOverride(kind.key, parsedOverrides.get(kind.key));
        }
      }
      String model = base.getString(Presets.Kind.MODEL.key);
      String env = base.getString(Presets.Kind.ENV.key);
      // explicit beats implied: presets first, then what the user wrote in the file, then the command line
      return Presets.read(vertx, chosen, Presets.Kind.MODEL, model)
          .compose(modelKeys -> Presets.read(vertx, chosen, Presets.Kind.ENV, env)
              .map(envKeys -> {
                written.addAll(modelKeys.keySet());
                written.addAll(envKeys.keySet());
                return AmiConfig.defaults().with(modelKeys).with(envKeys).with(fileKeys)
                    .with(Map.of(Presets.Kind.MODEL.key, model, Presets.Kind.ENV.key, env));
              }));
    }).map(afterPreset -> {
      AmiConfig config = afterPreset;
      for (Map.Entry<String, String> o : parsedOverrides.entrySet()) {
        config = config.withOverride(o.getKey(), o.getValue());
      }
      written.addAll(parsedOverrides.keySet());
      JsonObject values = config.toJson();
      for (String key : Schema.settings().keySet()) {
        if (Secrets.isSecret(key) && Secrets.MASK.equals(values.getValue(key))) {
          throw new ConfigException(key + " is " + Secrets.MASK + " in " + chosen + " (a run folder's config.yaml"
              + " leaves secrets out): give it on the command line, " + key + "=...");
        }
      }
      config = Seeds.derive(config, written);
      CrossChecks.verify(config);
      return config.withSource(new AmiConfig.Source(file, List.copyOf(overrides)));
    });
  }

  /**
   * The config {@code current} was loaded as, loaded again with {@code more} overrides after the original ones
   * (a redeploy's preset and keys): the same layering, so the user's file and command line keep their place.
   */
  public Future<AmiConfig> reload(AmiConfig current, List<String> more) {
    AmiConfig.Source s = current.source();
    if (s == null) {
      return Future.failedFuture(new ConfigException("this config was not loaded from a file and a command line"));
    }
    List<String> all = new java.util.ArrayList<>(s.overrides());
    all.addAll(more);
    return load(s.file(), all);
  }

  private Future<JsonObject> readYaml(Path path) {
    ConfigStoreOptions store = new ConfigStoreOptions().setType("file").setFormat("yaml")
        .setConfig(new JsonObject().put("path", path.toAbsolutePath().toString()));
    ConfigRetriever retriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setIncludeDefaultStores(false).setScanPeriod(-1).addStore(store));
    return retriever.getConfig()
        .recover(e -> Future.failedFuture(new ConfigException("malformed config " + path + ": " + rootMessage(e))))
        .onComplete(r -> retriever.close());
  }

  static Map<String, String> parseOverrides(List<String> overrides) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String arg : overrides) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("override '" + arg + "' is not of the form key.path=value");
      }
      String key = arg.substring(0, eq).trim();
      Schema.require(key);
      out.put(key, arg.substring(eq + 1));
    }
    return out;
  }

  /** Turns nested YAML maps into dotted keys; lists are not config values here. */
  static Map<String, Object> flatten(JsonObject json, Path source) {
    Map<String, Object> out = new LinkedHashMap<>();
    flattenInto("", json, out, source);
    return out;
  }

  private static void flattenInto(String prefix, JsonObject json, Map<String, Object> out, Path source) {
    for (Map.Entry<String, Object> e : json) {
      String key = prefix + e.getKey();
      Object v = e.getValue();
      if (v instanceof JsonObject nested) {
        flattenInto(key + ".", nested, out, source);
      } else if (v instanceof Map<?, ?> || v instanceof JsonArray) {
        throw new ConfigException("in " + source + ": " + key + " must be a single value");
      } else {
        Schema.require(key);
        out.put(key, v);
      }
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage()).lines().findFirst().orElse(t.getClass().getSimpleName());
  }
}
