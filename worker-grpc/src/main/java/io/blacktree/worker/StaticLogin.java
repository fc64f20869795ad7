package io.blacktree.worker;

import io.blacktree.core.SecretRedactor;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A registry with a fixed user and password from config ({@code registryUser}, {@code registryPassword}). */
public final class StaticLogin implements RegistryLogin {
  private final String registryUrl;
  private final String user;
  private final String password;

  public StaticLogin(String registryUrl, String user, String password) {
    this.registryUrl = registryUrl;
    this.user = user;
    this.password = password;
  }

  @Override
  public RegistryAuth login(String account, String region, String repository, SecretRedactor redactor) {
    redactor.addSecret(password);
    redactor.addSecret(Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    return RegistryAuth.of(registryUrl, user, password);
  }

  @Override
  public String toString() {
    return "StaticLogin[" + registryUrl + ", user " + user + ", password ****]";
  }
}
