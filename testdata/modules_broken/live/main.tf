module "x" {
  source = "../modules/x"
  count = 0
}
