package dev.ami.runs;

import dev.ami.config.AmiConfig;
import dev.ami.config.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A run's {@code config.yaml}: every key of the resolved config, nested as the user writes them, so that
 * {@code --config runs/<run>/config.yaml} loads the same run again. Secret values are written as {@code ***}
 * (the loader then asks for them on the command line); paths to key files are kept.
 */
public final class RunConfigFile {
  private RunConfigFile() {
  }

  /** Writes {@code config} into the run's folder (atomically: a reader never sees half a file). */
  public static void write(RunFolder run, AmiConfig config) throws IOException {
    Path tmp = run.config().resolveSibling("." + RunFolder.CONFIG_FILE + ".tmp");
    Files.writeString(tmp, render(config, run.id()), StandardCharsets.UTF_8);
    Files.move(tmp, run.config(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The YAML text. */
  static String render(AmiConfig config, String runId) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    String header = "# ami-runtime run " + runId + ": the resolved config of this run.\n"
        + "# java -jar ami.jar run --config THIS_FILE loads it again (secrets are written as " + Secrets.MASK
        + ": give them on the command line).\n";
    return header + new Yaml(options).dump(nested(config));
  }

  /** Dotted keys as nested maps, in key order; secrets masked. */
  static Map<String, Object> nested(AmiConfig config) {
    Map<String, Object> root = new LinkedHashMap<>();
    TreeMap<String, Object> flat = new TreeMap<>(config.toJson().getMap());
    for (Map.Entry<String, Object> e : flat.entrySet()) {
      String[] parts = e.getKey().split("\\.");
      Map<String, Object> at = root;
      for (int i = 0; i < parts.length - 1; i++) {
        Object next = at.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
        if (!(next instanceof Map<?, ?>)) {
          throw new IllegalStateException("key " + e.getKey() + " nests under the value of another key");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) next;
        at = m;
      }
      if (at.containsKey(parts[parts.length - 1])) {
        throw new IllegalStateException("key " + e.getKey() + " is also a section");
      }
      at.put(parts[parts.length - 1], Secrets.shown(e.getKey(), e.getValue()));
    }
    return root;
  }
}
