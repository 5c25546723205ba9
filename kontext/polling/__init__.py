"""When to ask the API about a task: the fixed schedule, the adaptive one, and its survival maths."""
