package io.blacktree.worker;

import io.blacktree.core.ErrorKind;
import io.blacktree.core.SecretRedactor;
import io.blacktree.worker.JobFailure.RegistryFailure;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.ecr.model.RepositoryAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * ECR login through the AWS SDK: {@code GetAuthorizationToken} for the job's account (default credential
 * chain, the job's region), token fetched per job and never logged. The token is {@code base64(user:password)};
 * the user is taken from the token (always {@code AWS} on real ECR), as Docker's ECR helper does. The registry
 * host and so the image URL come from the returned {@code proxyEndpoint}. With {@code createRepositories},
 * a missing repository is created ({@code DescribeRepositories}, then {@code CreateRepository}).
 *
 * <p>One {@link EcrClient} per region, made by the factory on first use and kept for the worker's life.
 */
public final class EcrLogin implements RegistryLogin, AutoCloseable {
  private final Function<String, EcrClient> clientFactory;
  private final Map<String, EcrClient> clients = new ConcurrentHashMap<>();
  private final boolean createRepositories;

  public EcrLogin(Function<String, EcrClient> clientFactory, boolean createRepositories) {
    this.clientFactory = clientFactory;
    this.createRepositories = createRepositories;
  }

  @Override
  public RegistryAuth login(String account, String region, String repository, SecretRedactor redactor)
      throws JobFailure {
    EcrClient ecr = clients.computeIfAbsent(region, clientFactory);
    try {
      AuthorizationData data = ecr.getAuthorizationToken(b -> b.registryIds(List.of(account)))
          .authorizationData().stream().findFirst()
          .orElseThrow(() -> new RegistryFailure(ErrorKind.REGISTRY_AUTH_DENIED, "ECR returned no token", null));
      String token = data.authorizationToken();
      redactor.addSecret(token);
      String decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new RegistryFailure(ErrorKind.REGISTRY_AUTH_DENIED, "ECR token has an unexpected form", null);
      }
      String password = decoded.substring(colon + 1);
      redactor.addSecret(password);
      URI proxy = URI.create(data.proxyEndpoint());
      if (createRepositories) {
        ensureRepository(ecr, account, repository);
      }
      return RegistryAuth.of(proxy.toString(), decoded.substring(0, colon), password);
    } catch (EcrException e) {
      throw classify(e);
    } catch (SdkClientException e) {
      throw new RegistryFailure(ErrorKind.REGISTRY_UNAVAILABLE, "ECR API unreachable: " + e.getClass().getSimpleName(), null);
    } catch (IllegalArgumentException e) {
      throw new RegistryFailure(ErrorKind.REGISTRY_AUTH_DENIED, "ECR token is not valid base64", null);
    }
  }

  private void ensureRepository(EcrClient ecr, String account, String repository) {
    try {
      ecr.describeRepositories(b -> b.registryId(account).repositoryNames(repository));
    } catch (RepositoryNotFoundException e) {
      try {
        ecr.createRepository(b -> b.registryId(account).repositoryName(repository));
      } catch (RepositoryAlreadyExistsException raced) {
        // created meanwhile: fine
      }
    }
  }

  private static RegistryFailure classify(EcrException e) {
    int status = e.statusCode();
    String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
    ErrorKind kind = status >= 500 || status == 429 ? ErrorKind.REGISTRY_UNAVAILABLE : ErrorKind.REGISTRY_AUTH_DENIED;
    return new RegistryFailure(kind, "ECR refused: " + code + " (HTTP " + status + ")", null);
  }

  @Override
  public void close() {
    clients.values().forEach(EcrClient::close);
  }
}
