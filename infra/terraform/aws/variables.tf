variable "name" {
  description = "Name prefix of everything this module creates (table, bucket, role, policy)."
  type        = string
  default     = "omnibroker"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be lowercase letters, digits and dashes, starting with a letter."
  }
}

variable "template_bucket_name" {
  description = "Name of the S3 bucket holding the CloudFormation templates; empty derives one from name and the account id."
  type        = string
  default     = ""
}

variable "templates_prefix" {
  description = "Key prefix of the templates inside the bucket (the backend's templatesPrefix)."
  type        = string
  default     = "templates/"
}

variable "stack_prefix" {
  description = "Prefix of the stack names the backend creates (the backend's stackPrefix); the IAM policy is limited to these stacks."
  type        = string
  default     = "omnibroker-"
}

variable "trusted_principal_arns" {
  description = "IAM principals (e.g. the broker's node or IRSA role) allowed to assume the broker role."
  type        = list(string)
}

variable "bind_hook_function_arns" {
  description = "ARNs of bind hook Lambda functions the broker may invoke for per-binding database users."
  type        = list(string)
  default     = []
}

variable "point_in_time_recovery" {
  description = "Continuous backups of the state table."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
