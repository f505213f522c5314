# State in a versioned GCS bucket created once by hand (docs/deploy.md, step 1).
terraform {
  backend "gcs" {
    bucket = "frequency-production-tfstate"
    prefix = "envs/production"
  }
}
