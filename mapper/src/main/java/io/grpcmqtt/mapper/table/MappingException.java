package io.grpcmqtt.mapper.table;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The mapping options of one or more services are invalid. The message lists every problem, one
 * per line, each naming its file, service, method and option.
 */
public final class MappingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient List<MappingProblem> problems;

  MappingException(List<MappingProblem> problems) {
    super(problems.stream().map(MappingProblem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in service and method order. */
  public List<MappingProblem> problems() {
    return problems;
  }
}
