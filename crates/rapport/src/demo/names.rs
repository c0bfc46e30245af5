//! Weighted first names and surnames, indexed by language (`[PT, ES, EN]`).
//!
//! Format: `name:weight|name:weight|…` (see `util::Weighted::parse`). Weights roughly follow real
//! frequencies; Silva's weight is tuned so that it ends up as ~9% of all contacts.

/// `[female, male]` per language.
pub(super) const FIRST_NAMES: [[&str; 2]; 3] = [
    // Brazil
    [
        "Maria:60|Ana:35|Francisca:8|Juliana:10|Adriana:7|Márcia:7|Fernanda:9|Patrícia:8|Aline:7|Sandra:6|Camila:9|\
         Amanda:7|Bruna:7|Jéssica:6|Letícia:6|Júlia:8|Luciana:6|Vanessa:6|Mariana:8|Gabriela:7|Vitória:5|Larissa:6|\
         Conceição:3|Beatriz:7|Cecília:3|Helena:5|Alice:5|Laura:5|Valentina:4|Heloísa:3|Lívia:4|Isadora:3|Débora:4|\
         Cláudia:5|Simone:5|Rosângela:3|Maria Eduarda:4|Ana Clara:4|Maria Clara:3|Ana Paula:5|Tânia:3|Natália:5|\
         Priscila:5|Renata:5|Carolina:5|Raquel:4|Vera:3|Lúcia:4|Thaís:4|Giovana:3|Iara:2|Jaqueline:3|Kátia:2|\
         Ângela:3|Nathália:2",
        "João:30|José:30|Francisco:12|Antônio:14|Carlos:14|Paulo:12|Pedro:12|Lucas:12|Luiz:10|Marcos:10|Luís:5|\
         Gabriel:12|Rafael:10|Daniel:8|Marcelo:8|Bruno:8|Eduardo:7|Felipe:8|Raimundo:5|Rodrigo:8|Sebastião:3|\
         Vinícius:6|Gustavo:7|Thiago:7|Matheus:7|Leonardo:6|Henrique:5|Fábio:6|Sérgio:5|Márcio:5|André:7|Otávio:3|\
         Caio:4|Renato:5|Jorge:4|Ricardo:6|Roberto:5|Fernando:6|Alexandre:6|Diego:5|Igor:3|Cauã:2|Joaquim:3|\
         Benedito:2|João Pedro:5|Luiz Fernando:3|Murilo:3|Arthur:4|Davi:4|Heitor:3|Enzo:3|Bernardo:3|Rogério:3|\
         Wagner:3|Wellington:3|Edson:3|Gilberto:3|Élton:1|Guilherme:6|Samuel:3",
    ],
    // Spanish-speaking countries
    [
        "María:25|Ana:12|Lucía:9|Sofía:9|Valentina:9|Camila:9|Isabella:6|Daniela:8|Gabriela:7|Carolina:7|Paula:7|\
         Laura:8|Andrea:8|Marta:5|Carmen:7|Rosa:5|Patricia:6|Mónica:5|Verónica:5|Claudia:6|Natalia:6|Alejandra:6|\
         Florencia:4|Agustina:4|Catalina:5|Fernanda:5|Ximena:4|Guadalupe:5|Inés:4|Belén:4|Begoña:2|Nerea:2|Pilar:3|\
         Elena:5|Silvia:4|Beatriz:4|Lorena:4|Paola:4|Diana:4|Juana:3|Milagros:3|Rocío:4|Ana María:4|María José:5|\
         María Fernanda:4|Luz:3|Yolanda:3|Consuelo:2|Montserrat:2|Marisol:3|Renata:3",
        "José:15|Juan:15|Luis:12|Carlos:14|Jorge:10|Miguel:10|Alejandro:10|Javier:9|Diego:9|Andrés:8|Fernando:8|\
         Sergio:7|Pablo:8|Ricardo:6|Eduardo:6|Martín:8|Sebastián:8|Matías:7|Nicolás:8|Santiago:8|Julián:5|Raúl:5|\
         Óscar:5|Iván:4|Rubén:4|Ángel:5|Héctor:4|Gonzalo:5|Joaquín:5|Tomás:5|Francisco:8|Manuel:8|Antonio:8|\
         Felipe:5|Rodrigo:5|Cristian:4|Emilio:3|Ignacio:4|Álvaro:4|Mauricio:4|Gustavo:4|Rafael:5|Hugo:4|Víctor:5|\
         Jesús:4|Juan Carlos:5|Juan Pablo:4|José Luis:5|Emiliano:3|Facundo:2|Benjamín:3",
    ],
    // United States
    [
        "Emily:10|Mary:12|Patricia:6|Jennifer:12|Linda:6|Elizabeth:10|Barbara:5|Susan:6|Jessica:9|Sarah:10|Karen:5|\
         Lisa:6|Nancy:4|Ashley:8|Michelle:7|Amanda:7|Melissa:6|Stephanie:6|Rebecca:5|Laura:5|Megan:5|Hannah:5|\
         Olivia:6|Emma:6|Sophia:5|Rachel:5|Lauren:5|Katherine:5|Nicole:5|Samantha:5|Grace:4|Abigail:4|Madison:4|\
         Priya:2|Aaliyah:2|Chloe:3|Zoe:2",
        "James:20|John:18|Robert:17|Michael:20|William:15|David:17|Richard:10|Joseph:10|Thomas:9|Christopher:10|\
         Daniel:9|Matthew:9|Anthony:7|Mark:7|Steven:6|Andrew:8|Joshua:7|Kevin:6|Brian:6|Ryan:7|Jason:6|Justin:5|\
         Tyler:5|Brandon:5|Eric:5|Jonathan:5|Wei:2|Min-jun:1|DeShawn:1|Connor:3|Liam:4|Noah:4|Ethan:4|Mason:3|\
         Logan:3|Isaiah:2|Gabriel:3",
    ],
];

pub(super) const SURNAMES: [&str; 3] = [
    // Brazil
    "Silva:255|Santos:90|Oliveira:60|Souza:55|Rodrigues:40|Ferreira:40|Alves:40|Pereira:40|Lima:35|Gomes:30|\
     Costa:30|Ribeiro:30|Martins:30|Carvalho:25|Almeida:25|Lopes:20|Soares:20|Fernandes:20|Vieira:20|\
     Barbosa:20|Rocha:15|Dias:15|Nascimento:15|Andrade:15|Moreira:15|Nunes:15|Marques:15|Machado:15|\
     Mendes:15|Freitas:15|Cardoso:12|Ramos:12|Gonçalves:15|Santana:10|Teixeira:12|Araújo:15|Conceição:8|\
     Magalhães:5|Figueiredo:5|Guimarães:5|Brandão:4|Falcão:3|Assunção:3|Simões:4|Leão:3|Müller:3|Nogueira:6|\
     Pinto:6|Correia:6|Cavalcanti:6|Bezerra:6|Monteiro:6|Moura:6|Castro:6|Campos:6|Cunha:6|Batista:8|\
     Miranda:5|Azevedo:6|Peixoto:4|Medeiros:6|Xavier:4|Sampaio:4|Siqueira:4|Tavares:5|Pires:5|Fonseca:5|\
     Sá:3|Jesus:15|Borges:6|Coelho:5|Aragão:3|Queiroz:4|Brito:5|Lacerda:3|Rezende:4|Prado:3|Farias:5|\
     Duarte:5|Bastos:3|Moraes:5|Pacheco:4|Macedo:4|Schmidt:2|Tanaka:2|Yamamoto:1|Nakamura:1|Rossi:2|\
     Ferraz:3|Sales:4|Leite:6|Matos:5|Barros:6|Vasconcelos:3|Mota:4|Cruz:5|Paiva:3|Aguiar:3|Camargo:3",
    // Spanish-speaking countries
    "García:40|González:38|Rodríguez:36|Fernández:25|López:30|Martínez:30|Sánchez:25|Pérez:28|Gómez:22|\
     Martín:12|Jiménez:12|Ruiz:10|Hernández:28|Díaz:18|Moreno:10|Muñoz:14|Álvarez:12|Romero:10|Torres:14|\
     Ramírez:18|Flores:14|Rojas:12|Vargas:10|Castro:10|Morales:12|Ortiz:8|Gutiérrez:10|Chávez:8|Ramos:8|\
     Reyes:10|Mendoza:10|Cruz:10|Peña:7|Núñez:7|Herrera:8|Medina:8|Aguilar:8|Vásquez:8|Castillo:8|Soto:7|\
     Contreras:7|Silva:6|Sepúlveda:4|Fuentes:5|Valenzuela:4|Quispe:6|Mamani:4|Huamán:3|Ibáñez:4|Ordóñez:3|\
     Cárdenas:5|Guzmán:6|Domínguez:6|Vázquez:8|Salazar:6|Acosta:6|Benítez:5|Giménez:4|Sosa:5|Navarro:5|\
     Molina:5|Delgado:5|Suárez:6|Ríos:5|Paredes:3|Espinoza:5|Cabrera:4|Campos:4|Vega:5|Arias:4|Zapata:3|\
     Ospina:2|Restrepo:3|Londoño:2|Echeverría:2|Iglesias:3|Garrido:3|Serrano:4|Blanco:4|Cortés:4|Osorio:3|\
     Miranda:4|Carrasco:3|Figueroa:3|Montoya:3|Pizarro:2|Bustos:2|Villalobos:2|de la Cruz:3|del Valle:2",
    // United States
    "Smith:25|Johnson:20|Williams:17|Brown:15|Jones:15|Garcia:12|Miller:12|Davis:12|Rodriguez:10|Martinez:10|\
     Hernandez:10|Lopez:8|Gonzalez:8|Wilson:8|Anderson:8|Thomas:8|Taylor:8|Moore:7|Jackson:7|Martin:7|Lee:7|\
     Perez:6|Thompson:7|White:7|Harris:6|Sanchez:5|Clark:6|Ramirez:5|Lewis:6|Robinson:6|Walker:6|Young:5|\
     Allen:5|King:5|Wright:5|Scott:5|Torres:4|Nguyen:5|Hill:5|Flores:4|Green:5|Adams:5|Nelson:5|Baker:5|\
     Hall:5|Rivera:4|Campbell:4|Mitchell:4|Carter:4|Roberts:4|O'Brien:3|O'Connor:3|Murphy:4|Kim:4|Patel:4|\
     Chen:4|Sullivan:3|Cohen:3|Kowalski:2|Schmidt:3|Fischer:2|Bennett:3|Foster:3|Hughes:3|Price:3|Ward:3|\
     Brooks:3|Kelly:3|Cooper:3|Reed:3|Morgan:3|Bell:3|Murray:3",
];
