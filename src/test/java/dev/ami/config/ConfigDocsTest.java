package dev.ami.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

  @Test
  @DisplayName("docs/configuration.md names every key of the schema")
  void everyKeyDocumented() throws Exception {
    String doc = Files.readString(Path.of(System.getProperty("ami.project.dir", "."), "docs", "configuration.md"));
    assertThat(Schema.settings().keySet()).allSatisfy(key -> assertThat(doc).as("key %s", key).contains(key));
  }
}
