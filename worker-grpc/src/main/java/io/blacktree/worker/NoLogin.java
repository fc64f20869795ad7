package io.blacktree.worker;

import io.blacktree.core.SecretRedactor;

/** An open registry (no credentials), e.g. the local {@code 127.0.0.1:5000}. */
public final class NoLogin implements RegistryLogin {
  private final String registryUrl;

  public NoLogin(String registryUrl) {
    this.registryUrl = registryUrl;
  }

  @Override
  public RegistryAuth login(String account, String region, String repository, SecretRedactor redactor) {
    return RegistryAuth.of(registryUrl, null, null);
  }
}
