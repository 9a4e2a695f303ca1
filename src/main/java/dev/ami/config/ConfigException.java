package dev.ami.config;

/** A configuration that cannot be used; the message names the key and what is allowed. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
