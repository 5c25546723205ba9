"""A generation's life: admission, the job flow, and the delivery protocol the Discord side implements."""
