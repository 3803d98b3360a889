using './main.bicep'

param adminUserEnabled = true
