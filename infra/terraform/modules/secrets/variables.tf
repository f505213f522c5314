variable "project_id" {
  type = string
}

variable "secrets" {
  type        = map(string)
  description = "Environment variable name => Secret Manager secret id."
  default = {
    ADMISSION_PRIVATE_JWKS = "admission-private-jwks"
    QUEUE_TOKEN_SECRET     = "queue-token-secret"
    OPS_TOKEN              = "ops-token"
    RECEIPT_SECRET         = "receipt-secret"
  }
}
