var s0 = 'xxxxxxxx'
var a0 = ['x']
var s1 = '${s0}${s0}'
var a1 = [a0, a0]
var s2 = '${s1}${s1}'
var a2 = [a1, a1]
var s3 = '${s2}${s2}'
var a3 = [a2, a2]
var s4 = '${s3}${s3}'
var a4 = [a3, a3]
var s5 = '${s4}${s4}'
var a5 = [a4, a4]
var s6 = '${s5}${s5}'
var a6 = [a5, a5]
var s7 = '${s6}${s6}'
var a7 = [a6, a6]
var s8 = '${s7}${s7}'
var a8 = [a7, a7]
var s9 = '${s8}${s8}'
var a9 = [a8, a8]
var s10 = '${s9}${s9}'
var a10 = [a9, a9]
var s11 = '${s10}${s10}'
var a11 = [a10, a10]
var s12 = '${s11}${s11}'
var a12 = [a11, a11]
var s13 = '${s12}${s12}'
var a13 = [a12, a12]
var s14 = '${s13}${s13}'
var a14 = [a13, a13]
var s15 = '${s14}${s14}'
var a15 = [a14, a14]
var s16 = '${s15}${s15}'
var a16 = [a15, a15]
var s17 = '${s16}${s16}'
var a17 = [a16, a16]
var s18 = '${s17}${s17}'
var a18 = [a17, a17]
var s19 = '${s18}${s18}'
var a19 = [a18, a18]
var s20 = '${s19}${s19}'
var a20 = [a19, a19]
var s21 = '${s20}${s20}'
var a21 = [a20, a20]
var s22 = '${s21}${s21}'
var a22 = [a21, a21]
var s23 = '${s22}${s22}'
var a23 = [a22, a22]
resource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {
  name: s23
  properties: {
    dnsPrefix: string(a23)
    enableRBAC: false
  }
}
