resource "a" "b" {
  x = 
      # <- AG001
}
