package io.grpcmqtt.mapper.template;

/**
 * A topic template, or a value moving through one, breaks the template rules.
 *
 * <p>The message is meant for people: it quotes the template and says what is wrong (and where,
 * for syntax errors). Callers add their own context, such as the proto file and RPC method, in
 * front of it. The texts are part of the contract: tests pin each one exactly.
 */
public final class TemplateException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception carrying a complete, user-facing message. */
  public TemplateException(String message) {
    super(message);
  }
}
